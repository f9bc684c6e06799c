(()=>{var L=globalThis,R=L.ShadowRoot&&(L.ShadyCSS===void 0||L.ShadyCSS.nativeShadow)&&"adoptedStyleSheets"in Document.prototype&&"replace"in CSSStyleSheet.prototype,K=Symbol(),ut=new WeakMap,C=class{constructor(t,e,s){if(this._$cssResult$=!0,s!==K)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=t,this.t=e}get styleSheet(){let t=this.o,e=this.t;if(R&&t===void 0){let s=e!==void 0&&e.length===1;s&&(t=ut.get(e)),t===void 0&&((this.o=t=new CSSStyleSheet).replaceSync(this.cssText),s&&ut.set(e,t))}return t}toString(){return this.cssText}},mt=o=>new C(typeof o=="string"?o:o+"",void 0,K),j=(o,...t)=>{let e=o.length===1?o[0]:t.reduce((s,i,r)=>s+(n=>{if(n._$cssResult$===!0)return n.cssText;if(typeof n=="number")return n;throw Error("Value passed to 'css' function must be a 'css' function result: "+n+". Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.")})(i)+o[r+1],o[0]);return new C(e,o,K)},ft=(o,t)=>{if(R)o.adoptedStyleSheets=t.map(e=>e instanceof CSSStyleSheet?e:e.styleSheet);else for(let e of t){let s=document.createElement("style"),i=L.litNonce;i!==void 0&&s.setAttribute("nonce",i),s.textContent=e.cssText,o.appendChild(s)}},B=R?o=>o:o=>o instanceof CSSStyleSheet?(t=>{let e="";for(let s of t.cssRules)e+=s.cssText;return mt(e)})(o):o;var{is:Bt,defineProperty:Yt,getOwnPropertyDescriptor:qt,getOwnPropertyNames:Wt,getOwnPropertySymbols:Vt,getPrototypeOf:Jt}=Object,I=globalThis,gt=I.trustedTypes,Zt=gt?gt.emptyScript:"",Gt=I.reactiveElementPolyfillSupport,T=(o,t)=>o,Y={toAttribute(o,t){switch(t){case Boolean:o=o?Zt:null;break;case Object:case Array:o=o==null?o:JSON.stringify(o)}return o},fromAttribute(o,t){let e=o;switch(t){case Boolean:e=o!==null;break;case Number:e=o===null?null:Number(o);break;case Object:case Array:try{e=JSON.parse(o)}catch{e=null}}return e}},$t=(o,t)=>!Bt(o,t),yt={attribute:!0,type:String,converter:Y,reflect:!1,useDefault:!1,hasChanged:$t};Symbol.metadata??=Symbol("metadata"),I.litPropertyMetadata??=new WeakMap;var g=class extends HTMLElement{static addInitializer(t){this._$Ei(),(this.l??=[]).push(t)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(t,e=yt){if(e.state&&(e.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(t)&&((e=Object.create(e)).wrapped=!0),this.elementProperties.set(t,e),!e.noAccessor){let s=Symbol(),i=this.getPropertyDescriptor(t,s,e);i!==void 0&&Yt(this.prototype,t,i)}}static getPropertyDescriptor(t,e,s){let{get:i,set:r}=qt(this.prototype,t)??{get(){return this[e]},set(n){this[e]=n}};return{get:i,set(n){let c=i?.call(this);r?.call(this,n),this.requestUpdate(t,c,s)},configurable:!0,enumerable:!0}}static getPropertyOptions(t){return this.elementProperties.get(t)??yt}static _$Ei(){if(this.hasOwnProperty(T("elementProperties")))return;let t=Jt(this);t.finalize(),t.l!==void 0&&(this.l=[...t.l]),this.elementProperties=new Map(t.elementProperties)}static finalize(){if(this.hasOwnProperty(T("finalized")))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(T("properties"))){let e=this.properties,s=[...Wt(e),...Vt(e)];for(let i of s)this.createProperty(i,e[i])}let t=this[Symbol.metadata];if(t!==null){let e=litPropertyMetadata.get(t);if(e!==void 0)for(let[s,i]of e)this.elementProperties.set(s,i)}this._$Eh=new Map;for(let[e,s]of this.elementProperties){let i=this._$Eu(e,s);i!==void 0&&this._$Eh.set(i,e)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(t){let e=[];if(Array.isArray(t)){let s=new Set(t.flat(1/0).reverse());for(let i of s)e.unshift(B(i))}else t!==void 0&&e.push(B(t));return e}static _$Eu(t,e){let s=e.attribute;return s===!1?void 0:typeof s=="string"?s:typeof t=="string"?t.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(t=>this.enableUpdating=t),this._$AL=new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(t=>t(this))}addController(t){(this._$EO??=new Set).add(t),this.renderRoot!==void 0&&this.isConnected&&t.hostConnected?.()}removeController(t){this._$EO?.delete(t)}_$E_(){let t=new Map,e=this.constructor.elementProperties;for(let s of e.keys())this.hasOwnProperty(s)&&(t.set(s,this[s]),delete this[s]);t.size>0&&(this._$Ep=t)}createRenderRoot(){let t=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return ft(t,this.constructor.elementStyles),t}connectedCallback(){this.renderRoot??=this.createRenderRoot(),this.enableUpdating(!0),this._$EO?.forEach(t=>t.hostConnected?.())}enableUpdating(t){}disconnectedCallback(){this._$EO?.forEach(t=>t.hostDisconnected?.())}attributeChangedCallback(t,e,s){this._$AK(t,s)}_$ET(t,e){let s=this.constructor.elementProperties.get(t),i=this.constructor._$Eu(t,s);if(i!==void 0&&s.reflect===!0){let r=(s.converter?.toAttribute!==void 0?s.converter:Y).toAttribute(e,s.type);this._$Em=t,r==null?this.removeAttribute(i):this.setAttribute(i,r),this._$Em=null}}_$AK(t,e){let s=this.constructor,i=s._$Eh.get(t);if(i!==void 0&&this._$Em!==i){let r=s.getPropertyOptions(i),n=typeof r.converter=="function"?{fromAttribute:r.converter}:r.converter?.fromAttribute!==void 0?r.converter:Y;this._$Em=i;let c=n.fromAttribute(e,r.type);this[i]=c??this._$Ej?.get(i)??c,this._$Em=null}}requestUpdate(t,e,s,i=!1,r){if(t!==void 0){let n=this.constructor;if(i===!1&&(r=this[t]),s??=n.getPropertyOptions(t),!((s.hasChanged??$t)(r,e)||s.useDefault&&s.reflect&&r===this._$Ej?.get(t)&&!this.hasAttribute(n._$Eu(t,s))))return;this.C(t,e,s)}this.isUpdatePending===!1&&(this._$ES=this._$EP())}C(t,e,{useDefault:s,reflect:i,wrapped:r},n){s&&!(this._$Ej??=new Map).has(t)&&(this._$Ej.set(t,n??e??this[t]),r!==!0||n!==void 0)||(this._$AL.has(t)||(this.hasUpdated||s||(e=void 0),this._$AL.set(t,e)),i===!0&&this._$Em!==t&&(this._$Eq??=new Set).add(t))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(e){Promise.reject(e)}let t=this.scheduleUpdate();return t!=null&&await t,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??=this.createRenderRoot(),this._$Ep){for(let[i,r]of this._$Ep)this[i]=r;this._$Ep=void 0}let s=this.constructor.elementProperties;if(s.size>0)for(let[i,r]of s){let{wrapped:n}=r,c=this[i];n!==!0||this._$AL.has(i)||c===void 0||this.C(i,void 0,r,c)}}let t=!1,e=this._$AL;try{t=this.shouldUpdate(e),t?(this.willUpdate(e),this._$EO?.forEach(s=>s.hostUpdate?.()),this.update(e)):this._$EM()}catch(s){throw t=!1,this._$EM(),s}t&&this._$AE(e)}willUpdate(t){}_$AE(t){this._$EO?.forEach(e=>e.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(t)),this.updated(t)}_$EM(){this._$AL=new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(t){return!0}update(t){this._$Eq&&=this._$Eq.forEach(e=>this._$ET(e,this[e])),this._$EM()}updated(t){}firstUpdated(t){}};g.elementStyles=[],g.shadowRootOptions={mode:"open"},g[T("elementProperties")]=new Map,g[T("finalized")]=new Map,Gt?.({ReactiveElement:g}),(I.reactiveElementVersions??=[]).push("2.1.2");var X=globalThis,bt=o=>o,H=X.trustedTypes,_t=H?H.createPolicy("lit-html",{createHTML:o=>o}):void 0,Et="$lit$",y=`lit$${Math.random().toFixed(9).slice(2)}$`,kt="?"+y,Xt=`<${kt}>`,A=document,U=()=>A.createComment(""),P=o=>o===null||typeof o!="object"&&typeof o!="function",Q=Array.isArray,Qt=o=>Q(o)||typeof o?.[Symbol.iterator]=="function",q=`[ 	
\f\r]`,O=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,vt=/-->/g,At=/>/g,_=RegExp(`>|${q}(?:([^\\s"'>=/]+)(${q}*=${q}*(?:[^ 	
\f\r"'\`<>=]|("|')|))|$)`,"g"),St=/'/g,wt=/"/g,Ct=/^(?:script|style|textarea|title)$/i,tt=o=>(t,...e)=>({_$litType$:o,strings:t,values:e}),u=tt(1),$e=tt(2),be=tt(3),S=Symbol.for("lit-noChange"),d=Symbol.for("lit-nothing"),xt=new WeakMap,v=A.createTreeWalker(A,129);function Tt(o,t){if(!Q(o)||!o.hasOwnProperty("raw"))throw Error("invalid template strings array");return _t!==void 0?_t.createHTML(t):t}var te=(o,t)=>{let e=o.length-1,s=[],i,r=t===2?"<svg>":t===3?"<math>":"",n=O;for(let c=0;c<e;c++){let a=o[c],h,p,l=-1,m=0;for(;m<a.length&&(n.lastIndex=m,p=n.exec(a),p!==null);)m=n.lastIndex,n===O?p[1]==="!--"?n=vt:p[1]!==void 0?n=At:p[2]!==void 0?(Ct.test(p[2])&&(i=RegExp("</"+p[2],"g")),n=_):p[3]!==void 0&&(n=_):n===_?p[0]===">"?(n=i??O,l=-1):p[1]===void 0?l=-2:(l=n.lastIndex-p[2].length,h=p[1],n=p[3]===void 0?_:p[3]==='"'?wt:St):n===wt||n===St?n=_:n===vt||n===At?n=O:(n=_,i=void 0);let f=n===_&&o[c+1].startsWith("/>")?" ":"";r+=n===O?a+Xt:l>=0?(s.push(h),a.slice(0,l)+Et+a.slice(l)+y+f):a+y+(l===-2?c:f)}return[Tt(o,r+(o[e]||"<?>")+(t===2?"</svg>":t===3?"</math>":"")),s]},M=class o{constructor({strings:t,_$litType$:e},s){let i;this.parts=[];let r=0,n=0,c=t.length-1,a=this.parts,[h,p]=te(t,e);if(this.el=o.createElement(h,s),v.currentNode=this.el.content,e===2||e===3){let l=this.el.content.firstChild;l.replaceWith(...l.childNodes)}for(;(i=v.nextNode())!==null&&a.length<c;){if(i.nodeType===1){if(i.hasAttributes())for(let l of i.getAttributeNames())if(l.endsWith(Et)){let m=p[n++],f=i.getAttribute(l).split(y),w=/([.?@])?(.*)/.exec(m);a.push({type:1,index:r,name:w[2],strings:f,ctor:w[1]==="."?V:w[1]==="?"?J:w[1]==="@"?Z:E}),i.removeAttribute(l)}else l.startsWith(y)&&(a.push({type:6,index:r}),i.removeAttribute(l));if(Ct.test(i.tagName)){let l=i.textContent.split(y),m=l.length-1;if(m>0){i.textContent=H?H.emptyScript:"";for(let f=0;f<m;f++)i.append(l[f],U()),v.nextNode(),a.push({type:2,index:++r});i.append(l[m],U())}}}else if(i.nodeType===8)if(i.data===kt)a.push({type:2,index:r});else{let l=-1;for(;(l=i.data.indexOf(y,l+1))!==-1;)a.push({type:7,index:r}),l+=y.length-1}r++}}static createElement(t,e){let s=A.createElement("template");return s.innerHTML=t,s}};function x(o,t,e=o,s){if(t===S)return t;let i=s!==void 0?e._$Co?.[s]:e._$Cl,r=P(t)?void 0:t._$litDirective$;return i?.constructor!==r&&(i?._$AO?.(!1),r===void 0?i=void 0:(i=new r(o),i._$AT(o,e,s)),s!==void 0?(e._$Co??=[])[s]=i:e._$Cl=i),i!==void 0&&(t=x(o,i._$AS(o,t.values),i,s)),t}var W=class{constructor(t,e){this._$AV=[],this._$AN=void 0,this._$AD=t,this._$AM=e}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(t){let{el:{content:e},parts:s}=this._$AD,i=(t?.creationScope??A).importNode(e,!0);v.currentNode=i;let r=v.nextNode(),n=0,c=0,a=s[0];for(;a!==void 0;){if(n===a.index){let h;a.type===2?h=new N(r,r.nextSibling,this,t):a.type===1?h=new a.ctor(r,a.name,a.strings,this,t):a.type===6&&(h=new G(r,this,t)),this._$AV.push(h),a=s[++c]}n!==a?.index&&(r=v.nextNode(),n++)}return v.currentNode=A,i}p(t){let e=0;for(let s of this._$AV)s!==void 0&&(s.strings!==void 0?(s._$AI(t,s,e),e+=s.strings.length-2):s._$AI(t[e])),e++}},N=class o{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(t,e,s,i){this.type=2,this._$AH=d,this._$AN=void 0,this._$AA=t,this._$AB=e,this._$AM=s,this.options=i,this._$Cv=i?.isConnected??!0}get parentNode(){let t=this._$AA.parentNode,e=this._$AM;return e!==void 0&&t?.nodeType===11&&(t=e.parentNode),t}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(t,e=this){t=x(this,t,e),P(t)?t===d||t==null||t===""?(this._$AH!==d&&this._$AR(),this._$AH=d):t!==this._$AH&&t!==S&&this._(t):t._$litType$!==void 0?this.$(t):t.nodeType!==void 0?this.T(t):Qt(t)?this.k(t):this._(t)}O(t){return this._$AA.parentNode.insertBefore(t,this._$AB)}T(t){this._$AH!==t&&(this._$AR(),this._$AH=this.O(t))}_(t){this._$AH!==d&&P(this._$AH)?this._$AA.nextSibling.data=t:this.T(A.createTextNode(t)),this._$AH=t}$(t){let{values:e,_$litType$:s}=t,i=typeof s=="number"?this._$AC(t):(s.el===void 0&&(s.el=M.createElement(Tt(s.h,s.h[0]),this.options)),s);if(this._$AH?._$AD===i)this._$AH.p(e);else{let r=new W(i,this),n=r.u(this.options);r.p(e),this.T(n),this._$AH=r}}_$AC(t){let e=xt.get(t.strings);return e===void 0&&xt.set(t.strings,e=new M(t)),e}k(t){Q(this._$AH)||(this._$AH=[],this._$AR());let e=this._$AH,s,i=0;for(let r of t)i===e.length?e.push(s=new o(this.O(U()),this.O(U()),this,this.options)):s=e[i],s._$AI(r),i++;i<e.length&&(this._$AR(s&&s._$AB.nextSibling,i),e.length=i)}_$AR(t=this._$AA.nextSibling,e){for(this._$AP?.(!1,!0,e);t!==this._$AB;){let s=bt(t).nextSibling;bt(t).remove(),t=s}}setConnected(t){this._$AM===void 0&&(this._$Cv=t,this._$AP?.(t))}},E=class{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(t,e,s,i,r){this.type=1,this._$AH=d,this._$AN=void 0,this.element=t,this.name=e,this._$AM=i,this.options=r,s.length>2||s[0]!==""||s[1]!==""?(this._$AH=Array(s.length-1).fill(new String),this.strings=s):this._$AH=d}_$AI(t,e=this,s,i){let r=this.strings,n=!1;if(r===void 0)t=x(this,t,e,0),n=!P(t)||t!==this._$AH&&t!==S,n&&(this._$AH=t);else{let c=t,a,h;for(t=r[0],a=0;a<r.length-1;a++)h=x(this,c[s+a],e,a),h===S&&(h=this._$AH[a]),n||=!P(h)||h!==this._$AH[a],h===d?t=d:t!==d&&(t+=(h??"")+r[a+1]),this._$AH[a]=h}n&&!i&&this.j(t)}j(t){t===d?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,t??"")}},V=class extends E{constructor(){super(...arguments),this.type=3}j(t){this.element[this.name]=t===d?void 0:t}},J=class extends E{constructor(){super(...arguments),this.type=4}j(t){this.element.toggleAttribute(this.name,!!t&&t!==d)}},Z=class extends E{constructor(t,e,s,i,r){super(t,e,s,i,r),this.type=5}_$AI(t,e=this){if((t=x(this,t,e,0)??d)===S)return;let s=this._$AH,i=t===d&&s!==d||t.capture!==s.capture||t.once!==s.once||t.passive!==s.passive,r=t!==d&&(s===d||i);i&&this.element.removeEventListener(this.name,this,s),r&&this.element.addEventListener(this.name,this,t),this._$AH=t}handleEvent(t){typeof this._$AH=="function"?this._$AH.call(this.options?.host??this.element,t):this._$AH.handleEvent(t)}},G=class{constructor(t,e,s){this.element=t,this.type=6,this._$AN=void 0,this._$AM=e,this.options=s}get _$AU(){return this._$AM._$AU}_$AI(t){x(this,t)}};var ee=X.litHtmlPolyfillSupport;ee?.(M,N),(X.litHtmlVersions??=[]).push("3.3.3");var Ot=(o,t,e)=>{let s=e?.renderBefore??t,i=s._$litPart$;if(i===void 0){let r=e?.renderBefore??null;s._$litPart$=i=new N(t.insertBefore(U(),r),r,void 0,e??{})}return i._$AI(o),i};var et=globalThis,$=class extends g{constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){let t=super.createRenderRoot();return this.renderOptions.renderBefore??=t.firstChild,t}update(t){let e=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(t),this._$Do=Ot(e,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return S}};$._$litElement$=!0,$.finalized=!0,et.litElementHydrateSupport?.({LitElement:$});var se=et.litElementPolyfillSupport;se?.({LitElement:$});(et.litElementVersions??=[]).push("4.2.2");var st=["name","email","phone","company","message"],ie={name:"Name",email:"Email",phone:"Phone",company:"Company",message:"How can we help?"},oe="We got your details and will be in touch soon.",it="name,email,phone,message",Pt=5e3;function re(o){let t=typeof o=="string"?o.split(",").map(s=>s.trim()):o,e=st.filter(s=>t.includes(s));return e.length>0?e:[...st]}function ot(o,t=it){let e=o&&typeof o=="object"?o:{},s={...ie};if(e.labels&&typeof e.labels=="object")for(let[i,r]of Object.entries(e.labels))st.includes(i)&&typeof r=="string"&&r.trim()&&(s[i]=r.trim());return{fields:re(e.configured!==!1&&Array.isArray(e.fields)&&e.fields.length>0?e.fields:t),labels:s,thankYou:typeof e.thankYou=="string"&&e.thankYou.trim()?e.thankYou:oe,booking:e.booking===!0}}var Ut=new Map;function Mt(o,t,e=fetch,s=Pt){let i=`${o}/v1/widget/config?site_key=${encodeURIComponent(t)}`,r=Ut.get(i);return r||(r=rt(i,e,s),Ut.set(i,r)),r}async function rt(o,t=fetch,e=Pt){let s=new AbortController,i=setTimeout(()=>s.abort(),e);try{let r=await t(o,{signal:s.signal});return r.ok?await r.json():null}catch{return null}finally{clearTimeout(i)}}var D={minFillMs:2e3,honeypotField:"website"},ne=/^(?:[A-Za-z0-9_'+\-]+\.)*[A-Za-z0-9_'+\-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}$/,nt={name:{min:1,max:200},email:{min:1,max:254},phone:{min:3,max:40},company:{min:1,max:200},message:{min:1,max:5e3}},ae="Give an email or a phone number so we can reach you.";function Dt(o){let t={},e={};for(let i of["name","email","phone","company"]){let r=(o[i]??"").trim();if(r==="")continue;let{min:n,max:c}=nt[i];r.length<n?e[i]=`${Nt(i)} is too short (at least ${n} characters).`:r.length>c?e[i]=`${Nt(i)} is too long (at most ${c}).`:i==="email"&&!ne.test(r)?e[i]="Enter an email address such as name@example.com.":t[i]=r}let s=o.message??"";return s.trim()!==""&&(s.length>nt.message.max?e.message=`Message is too long (at most ${nt.message.max} characters).`:t.message=s),!e.email&&!e.phone&&!t.email&&!t.phone&&(e.form=ae),Object.keys(e).length>0?{ok:!1,errors:e}:{ok:!0,fields:t}}function Nt(o){return o==="email"?"Email":o[0].toUpperCase()+o.slice(1)}var at=7;function Lt(){return Intl.DateTimeFormat().resolvedOptions().timeZone||"UTC"}function Rt(o){let t=o?.slots;return Array.isArray(t)?t.filter(e=>typeof e?.start=="string"&&typeof e?.end=="string"&&!Number.isNaN(Date.parse(e.start))&&!Number.isNaN(Date.parse(e.end))).map(e=>({start:e.start,end:e.end})):[]}function It(o,t,e){let s=new Intl.DateTimeFormat("en-CA",{timeZone:t,year:"numeric",month:"2-digit",day:"2-digit"}),i=new Intl.DateTimeFormat(e,{timeZone:t,weekday:"long",month:"long",day:"numeric"}),r=new Intl.DateTimeFormat(e,{timeZone:t,hour:"numeric",minute:"2-digit"}),n=new Map,c=[...o].sort((a,h)=>Date.parse(a.start)-Date.parse(h.start));for(let a of c){let h=new Date(a.start),p=s.format(h),l=n.get(p);l||(l={date:p,label:i.format(h),slots:[]},n.set(p,l));let m=r.format(h);l.slots.push({...a,time:m,full:`${l.label}, ${m}`})}return[...n.values()]}function le(o,t,e){let s=new Date(o),i=new Intl.DateTimeFormat(e,{timeZone:t,weekday:"long",month:"long",day:"numeric"}).format(s),r=new Intl.DateTimeFormat(e,{timeZone:t,hour:"numeric",minute:"2-digit"}).format(s);return`${i} at ${r} (${t})`}function Ht(o,t,e){return o?o.status==="booked"?`Your call is booked for ${le(o.start,t,e)}.`:"The time you picked is no longer free, so nothing is booked yet: we will be in touch to find another.":null}var zt=j`
  :host {
    display: block;
    max-width: 28rem;
    font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
    color: var(--cove-text, #1c1b1f);
    --accent: var(--cove-accent, #0b57d0);
  }
  .card {
    background: var(--cove-background, #fff);
    border: 1px solid #8a8a8f;
    border-radius: 0.5rem;
    padding: 1rem 1.25rem;
  }
  h2 {
    font-size: 1.25rem;
    margin: 0 0 0.75rem;
  }
  .field {
    margin-bottom: 0.75rem;
  }
  label {
    display: block;
    font-weight: 600;
    margin-bottom: 0.25rem;
  }
  input,
  textarea {
    box-sizing: border-box;
    width: 100%;
    font: inherit;
    color: inherit;
    background: #fff;
    border: 1px solid #6b6b70;
    border-radius: 0.375rem;
    padding: 0.5rem 0.625rem;
  }
  input[aria-invalid="true"],
  textarea[aria-invalid="true"] {
    border: 2px solid #b3261e;
  }
  :focus-visible {
    outline: 3px solid var(--accent);
    outline-offset: 2px;
  }
  button {
    font: inherit;
    font-weight: 600;
    color: #fff;
    background: var(--accent);
    border: 0;
    border-radius: 0.375rem;
    padding: 0.625rem 1.25rem;
    min-height: 44px;
    cursor: pointer;
  }
  button[disabled] {
    opacity: 0.7;
    cursor: progress;
  }
  button.link {
    background: none;
    color: var(--accent);
    padding: 0;
    text-decoration: underline;
  }
  .error {
    color: #b3261e;
    margin: 0.25rem 0 0;
    font-size: 0.9375rem;
  }
  .notice {
    margin: 0.5rem 0 0;
    min-height: 1.5em;
  }
  fieldset {
    border: 1px solid #8a8a8f;
    border-radius: 0.375rem;
    margin: 0 0 0.75rem;
    padding: 0.5rem 0.75rem 0.75rem;
  }
  legend {
    font-weight: 600;
    padding: 0 0.25rem;
  }
  h3 {
    font-size: 1rem;
    margin: 0.75rem 0 0.25rem;
  }
  .hint {
    margin: 0 0 0.5rem;
    font-size: 0.9375rem;
    color: #4a4a4f;
  }
  /* A week of times stays a box the page scrolls past; arrow keys scroll it along. */
  .days {
    max-height: 22rem;
    overflow-y: auto;
  }
  .times {
    display: flex;
    flex-wrap: wrap;
    gap: 0.375rem;
  }
  label.choice {
    display: inline-flex;
    align-items: center;
    gap: 0.375rem;
    font-weight: 400;
    min-height: 44px;
    margin: 0;
  }
  label.time {
    min-width: 6.5rem;
    box-sizing: border-box;
    border: 1px solid #6b6b70;
    border-radius: 0.375rem;
    padding: 0 0.625rem;
  }
  label.time:has(:checked) {
    border: 2px solid var(--accent);
    font-weight: 600;
  }
  input[type="radio"] {
    width: auto;
    margin: 0;
    accent-color: var(--accent);
  }
  .trap {
    position: absolute;
    left: -10000px;
    width: 1px;
    height: 1px;
    overflow: hidden;
  }
  [hidden] {
    display: none !important;
  }
`;var ce={name:"name",email:"email",phone:"tel",company:"organization"},lt,ct=new Set;function Ft(o){lt=o}function Kt(o,t){for(let e of ct)e(o,t)}var z=class extends ${static properties={siteKey:{type:String,attribute:"site-key"},endpoint:{type:String},heading:{type:String},fields:{type:String},state:{state:!0},errors:{state:!0},notice:{state:!0},slots:{state:!0},booking:{state:!0}};static styles=zt;#t=ot(null);#s=Lt();#e=performance.now();#i=crypto.randomUUID();#n=(t,e)=>{t.body.idempotencyKey===this.#i&&(e.state==="accepted"?this.#p(e.booking):e.state==="refused"&&this.#u(e.message))};constructor(){super(),this.siteKey="",this.endpoint="",this.heading="Get in touch",this.fields=it,this.state="loading",this.errors={},this.notice="",this.slots={state:"loading"},this.booking=void 0}connectedCallback(){super.connectedCallback(),ct.add(this.#n),this.state==="loading"&&this.#a()}#o(){return(this.endpoint||location.origin).replace(/\/+$/,"")}async#a(){let t=await Mt(this.#o(),this.siteKey);this.#t=ot(t,this.fields),this.#t.booking&&this.#r(),this.state="editing",this.#e=performance.now()}async#r(){this.slots={state:"loading"};let t=await rt(`${this.#o()}/v1/widget/slots?site_key=${encodeURIComponent(this.siteKey)}&days=${7}`);this.slots=t===null?{state:"error"}:{state:"ok",days:It(Rt(t),this.#s)}}disconnectedCallback(){ct.delete(this.#n),super.disconnectedCallback()}updated(t){t.has("state")&&this.state==="done"&&this.renderRoot.querySelector(".thanks")?.focus()}render(){let t=this.#t;if(this.state==="loading")return u`
        <div class="card" aria-busy="true">
          <h2>${this.heading}</h2>
          <p>Loading the form...</p>
        </div>
      `;if(this.state==="done"){let s=Ht(this.booking,this.#s);return u`<div class="card thanks" tabindex="-1" role="status">
        <h2>Thank you!</h2><p>${t.thankYou}</p>
        ${s?u`<p class="meeting">${s}</p>`:d}
        <button type="button" class="link" @click=${this.#m}>Send another</button></div>`}let e=this.state==="sending";return u`<form class="card" novalidate @submit=${this.#d} aria-busy=${e}>
      <h2>${this.heading}</h2>
      ${t.fields.map(s=>this.#c(s))}
      ${t.booking?this.#l():d}
      <div class="trap" aria-hidden="true">
        <label for="f-trap">Leave this empty</label>
        <input id="f-trap" name=${D.honeypotField} tabindex="-1" autocomplete="off">
      </div>
      <p id="f-form-error" class="error" ?hidden=${!this.errors.form}>${this.errors.form??""}</p>
      <button type="submit" ?disabled=${e}>${e?"Sending...":"Send"}</button>
      <p class="notice" role="status" aria-live="polite">${this.notice}</p>
    </form>`}#l(){let t=this.slots,e=t.state==="loading"?u`<p>Loading free times...</p>`:t.state==="error"?u`<p>Free times could not be loaded. Send your details and we will get back to you.</p>`:t.days.length===0?u`<p>No free times in the next ${7} days. Send your details and we will get
        back to you.</p>`:u`
        <label class="choice"><input type="radio" name="slot" value="" checked>
                  No call for now</label>
        <div class="days">${t.days.map(s=>u`
            <div role="group" aria-labelledby="d-${s.date}">
              <h3 id="d-${s.date}">${s.label}</h3>
              <div class="times">${s.slots.map(i=>u`<label class="choice time"><input type="radio" name="slot"
              value=${`${i.start}/${i.end}`} aria-label=${i.full}>${i.time}</label>`)}</div>
            </div>
          `)}</div>
      `;return u`<fieldset class="slots" aria-describedby="f-zone">
      <legend>Book a call (optional)</legend>
      <p id="f-zone" class="hint">Times are in your time zone, ${this.#s}.</p>
      ${e}
    </fieldset>`}#c(t){let e=this.errors[t],s=`f-${t}`,i=[e?`${s}-error`:"",this.errors.form?"f-form-error":""].filter(Boolean).join(" "),r={id:s,invalid:e?"true":"false",describedBy:i||d};return u`<div class="field">
      <label for=${s}>${this.#t.labels[t]}</label>
      ${t==="message"?u`
          <textarea id=${r.id} name=${t} rows="3" aria-invalid=${r.invalid}
            aria-describedby=${r.describedBy}></textarea>
        `:u`
          <input id=${r.id} name=${t} type=${t==="email"?"email":t==="phone"?"tel":"text"} autocomplete=${ce[t]}
            aria-invalid=${r.invalid}
            aria-describedby=${r.describedBy}>
        `}
      ${e?u`<p id="${s}-error" class="error">${e}</p>`:d}
    </div>`}#h(t){let e=new FormData(t),s=i=>{let r=e.get(i);return typeof r=="string"?r:void 0};return{name:s("name"),email:s("email"),phone:s("phone"),company:s("company"),message:s("message"),trap:s(D.honeypotField)??"",slot:s("slot")??""}}async#d(t){if(t.preventDefault(),this.state==="sending")return;let e=t.currentTarget,s=this.#h(e),i=Dt(s);if(!i.ok){let l=this.#t.fields.filter(b=>b==="email"||b==="phone");i.errors.form&&l.length===1&&(i.errors.form=`Give ${l[0]==="email"?"an email":"a phone number"} so we can reach you.`),this.errors=i.errors;let m=Object.keys(i.errors).length;this.notice=`${m===1?"One field needs":`${m} fields need`} attention: `+Object.values(i.errors).join(" "),await this.updateComplete;let f=this.#t.fields,w=f.find(b=>i.errors[b])??(i.errors.form?f.find(b=>b==="email"||b==="phone"):void 0);this.renderRoot.querySelector(`#f-${w}`)?.focus();return}this.errors={},this.state="sending",this.notice="Sending...";let r=D.minFillMs+50-(performance.now()-this.#e);r>0&&await new Promise(l=>setTimeout(l,r));let[n,c]=s.slot.split("/"),a={idempotencyKey:this.#i,...i.fields,...he(),elapsedMs:Math.round(performance.now()-this.#e),...s.trap?{[D.honeypotField]:s.trap}:{},...n&&c?{slot:{start:n,end:c},timeZone:this.#s}:{}},h=`${this.#o()}/v1/widget/leads`;if(!lt)throw new Error("cove-lead-form: widget entry not loaded");(await lt().submit({endpoint:h,siteKey:this.siteKey,body:a})).state==="retry"&&(this.state="queued",this.notice="You seem to be offline. Your details are saved on this device and will be sent as soon as the connection is back.")}#p(t){this.booking=t,this.state="done",this.notice=""}#u(t){this.state="editing",this.errors={form:`We could not send this: ${t}`},this.notice=this.errors.form}#m(){this.#i=crypto.randomUUID(),this.#e=performance.now(),this.booking=void 0,this.state="editing",this.#t.booking&&this.#r()}};function he(){let o={},t=location.href;/^https?:/.test(t)&&t.length<=2e3&&(o.pageUrl=t),document.referrer&&document.referrer.length<=2e3&&(o.referrer=document.referrer);let e=new URLSearchParams(location.search);for(let s of["source","medium","campaign","term","content"]){let i=e.get(`utm_${s}`)?.trim();i&&(o[`utm_${s}`]=i.slice(0,200))}return o}var ht="cove.widget.pending",je=6e4;function de(o,t=Math.random){let e=Math.min(6e4,1e3*2**Math.max(0,o-1));return Math.round(e*(.75+t()*.5))}async function pe(o,t=fetch){let e=new URL(o.endpoint);e.searchParams.set("site_key",o.siteKey);let s;try{s=await t(e.href,{method:"POST",headers:{"content-type":"application/json","x-site-key":o.siteKey},body:JSON.stringify(o.body)})}catch(r){return{state:"retry",reason:`network: ${r instanceof Error?r.message:r}`}}let i={};try{i=await s.json()}catch{}if(s.ok){let r=i.booking?.status?{booking:i.booking}:{};return{state:"accepted",leadId:i.leadId??null,...r}}if(s.status>=500||s.status===408||s.status===429){let r=Number(s.headers.get("retry-after"));return{state:"retry",reason:`HTTP ${s.status}`,...r>0?{retryAfterMs:r*1e3}:{}}}return{state:"refused",status:s.status,message:i.error?.message??`HTTP ${s.status}`}}var F=class{#t;#s=new Set;#e=new Set;constructor(t){this.#t=t}pending(){try{let t=this.#t.storage.getItem(ht),e=t?JSON.parse(t):[];return Array.isArray(e)?e:[]}catch{return[]}}submit(t){let e={...t,attempts:0};return this.#r([...this.pending().filter(s=>s.body.idempotencyKey!==t.body.idempotencyKey),e]),this.#i(e)}resume(){return Promise.all(this.pending().map(t=>this.#i(t)))}async#i(t){let e=t.body.idempotencyKey;if(this.#s.has(e))return{state:"retry",reason:"already being posted"};this.#s.add(e),this.#e.delete(e);let s;try{s=await pe(t,this.#t.fetch??fetch)}finally{this.#s.delete(e)}if(s.state==="retry"){let i=(this.#o(e)?.attempts??t.attempts)+1,r={...t,attempts:i};this.#a(e,r),this.#n(r,s.retryAfterMs??de(i,this.#t.random))}else this.#r(this.pending().filter(i=>i.body.idempotencyKey!==e));return this.#t.onOutcome?.(t,s),s}#n(t,e){let s=t.body.idempotencyKey;if(this.#e.has(s))return;this.#e.add(s),(this.#t.schedule??((r,n)=>setTimeout(n,r)))(e,()=>{if(!this.#e.has(s))return;this.#e.delete(s);let r=this.#o(s);r&&this.#i(r)})}#o(t){return this.pending().find(e=>e.body.idempotencyKey===t)}#a(t,e){let s=this.pending(),i=s.findIndex(r=>r.body.idempotencyKey===t);i<0||(s[i]=e,this.#r(s))}#r(t){try{t.length===0?this.#t.storage.removeItem(ht):this.#t.storage.setItem(ht,JSON.stringify(t))}catch{}}};var k=document.currentScript,jt=k?.src?new URL(k.src).origin:location.origin;function ue(){try{let o="cove.widget.probe";return localStorage.setItem(o,"1"),localStorage.removeItem(o),localStorage}catch{let o=new Map;return{getItem:t=>o.get(t)??null,setItem:(t,e)=>void o.set(t,e),removeItem:t=>void o.delete(t)}}}var pt=new F({storage:ue(),onOutcome:Kt});Ft(()=>pt);var dt=class extends z{connectedCallback(){this.endpoint||(this.endpoint=jt),super.connectedCallback()}};customElements.get("cove-lead-form")||customElements.define("cove-lead-form",dt);if(k?.dataset.siteKey){let o=document.createElement("cove-lead-form");o.setAttribute("site-key",k.dataset.siteKey),o.setAttribute("endpoint",jt);for(let t of["fields","heading"]){let e=k.getAttribute(`data-${t}`);e&&o.setAttribute(t,e)}k.after(o)}pt.resume();addEventListener("online",()=>void pt.resume());})();
/**
 * @license
 * Copyright 2019 Google LLC
 * SPDX-License-Identifier: BSD-3-Clause
 */
/**
 * @license
 * Copyright 2017 Google LLC
 * SPDX-License-Identifier: BSD-3-Clause
 */
/**
 * @license
 * Copyright 2022 Google LLC
 * SPDX-License-Identifier: BSD-3-Clause
 */
